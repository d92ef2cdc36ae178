/* cli.h — the `lienthong` tool's commands that live in their own files. */
#ifndef LT_CLI_CLI_H
#define LT_CLI_CLI_H

/* lienthong witness (witness.c): co-sign the hub's checkpoints. */
int cmd_witness(int argc, char **argv);

#endif

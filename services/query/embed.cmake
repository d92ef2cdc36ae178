# embed.cmake — writes the C source holding services/query/openapi.json as a
# byte array (openapi.h). Run at build time:
#   cmake -DIN=openapi.json -DOUT=openapi_doc.c -P embed.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR bytes "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" body "${body}")
file(WRITE "${OUT}"
  "/* Generated from services/query/openapi.json by embed.cmake; do not edit. */\n"
  "#include \"openapi.h\"\n"
  "const char lq_openapi_json[] = {\n${body}0x00 };\n"
  "const size_t lq_openapi_json_len = ${bytes};\n")

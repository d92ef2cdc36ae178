# embed.cmake — writes a C source holding one file of services/query as a
# NUL-terminated byte array and its length (declared in openapi.h, dashboard.h).
# Run at build time:
#   cmake -DIN=openapi.json -DOUT=openapi_doc.c -DNAME=lq_openapi_json -DHEADER=openapi.h -P embed.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR bytes "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" body "${body}")
get_filename_component(src "${IN}" NAME)
file(WRITE "${OUT}"
  "/* Generated from services/query/${src} by embed.cmake; do not edit. */\n"
  "#include \"${HEADER}\"\n"
  "const char ${NAME}[] = {\n${body}0x00 };\n"
  "const size_t ${NAME}_len = ${bytes};\n")

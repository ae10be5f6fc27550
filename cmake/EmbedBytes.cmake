# cmake -DINPUT=FILE -DOUTPUT=FILE.inc -DNAME=kSymbol -P EmbedBytes.cmake
# Writes FILE's bytes as `static const unsigned char NAME[] = {...};`, so
# that a library carries a file (an object, a header) without a path to it.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" length)
if(length EQUAL 0)
  message(FATAL_ERROR "${INPUT} is empty")
endif()
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){32})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by cmake/EmbedBytes.cmake.\n"
  "static const unsigned char ${NAME}[] = {\n${bytes}\n};\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")

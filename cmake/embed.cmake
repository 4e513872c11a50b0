# Turns a file into a C source defining `const char VAR[]`, NUL-terminated,
# so the binary carries it (the default config, later the dashboard assets).
# Usage: cmake -DINPUT=f -DOUTPUT=f.c -DVAR=name -P embed.cmake
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
file(WRITE "${OUTPUT}"
  "/* Generated from ${INPUT} by cmake/embed.cmake. Do not edit. */\n"
  "const char ${VAR}[] = {${hex}0x00};\n")

# The sonames of the libraries tend loads with dlopen() (src/core/dynlib.h):
# read from the library the build found, so the loaded library is the one
# whose headers tend was compiled against.
#
# tend_soname(VAR NAME DIRS): VAR = the SONAME of libNAME.so found in DIRS.
function(tend_soname var name dirs)
  find_library(TEND_LIB_${name} NAMES ${name} HINTS ${dirs})
  if(NOT TEND_LIB_${name})
    message(FATAL_ERROR "lib${name}.so not found (in ${dirs})")
  endif()
  execute_process(COMMAND ${CMAKE_OBJDUMP} -p ${TEND_LIB_${name}}
                  OUTPUT_VARIABLE dump RESULT_VARIABLE rc)
  string(REGEX MATCH "SONAME +([^\n ]+)" match "${dump}")
  if(NOT rc EQUAL 0 OR NOT CMAKE_MATCH_1)
    message(FATAL_ERROR "no SONAME in ${TEND_LIB_${name}} (objdump: ${CMAKE_OBJDUMP})")
  endif()
  set(${var} ${CMAKE_MATCH_1} PARENT_SCOPE)
endfunction()

# One INTERFACE target carries the warning set; every Serin target links it.
add_library(serin_warnings INTERFACE)
target_compile_options(serin_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough -Wmissing-declarations
  -Wformat=2)
if(SERIN_WERROR)
  target_compile_options(serin_warnings INTERFACE -Werror)
endif()
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports false positives from inlined standard library code at -O2/-O3.
  target_compile_options(serin_warnings INTERFACE -Wno-maybe-uninitialized -Wno-restrict
    -Wno-array-bounds -Wno-stringop-overflow -Wno-null-dereference)
endif()

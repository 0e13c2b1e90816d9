# serin_module(<name> DIR <dir> DEPS <targets...>): a static library from every .cpp in DIR.
# Globbing keeps module folders self-describing; CONFIGURE_DEPENDS re-globs on each build.
function(serin_module name)
  cmake_parse_arguments(_m "" "DIR" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB_RECURSE _srcs CONFIGURE_DEPENDS ${_m_DIR}/*.cpp)
  list(FILTER _srcs EXCLUDE REGEX ".*/main\\.cpp$")
  if(NOT _srcs)
    # A module that has no sources yet still links: keep the dependency graph stable.
    set(_srcs ${CMAKE_BINARY_DIR}/generated/${name}_empty.cpp)
    file(WRITE ${_srcs} "// ${name} has no sources yet\n")
  endif()
  add_library(${name} STATIC ${_srcs})
  target_include_directories(${name} PUBLIC
    ${PROJECT_SOURCE_DIR}/include ${CMAKE_BINARY_DIR}/generated)
  target_link_libraries(${name} PUBLIC ${_m_DEPS} PRIVATE serin_warnings ${_m_PRIVATE_DEPS})
endfunction()

# serin_test(<name> DIR <dir> DEPS <targets...> [LABELS ...]): one gtest binary per folder.
function(serin_test name)
  cmake_parse_arguments(_t "" "DIR" "DEPS;LABELS" ${ARGN})
  file(GLOB_RECURSE _srcs CONFIGURE_DEPENDS ${_t_DIR}/*.cpp)
  if(NOT _srcs)
    return()
  endif()
  add_executable(${name} ${_srcs})
  target_link_libraries(${name} PRIVATE ${_t_DEPS} GTest::gmock GTest::gtest_main serin_warnings)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE
    SERIN_SOURCE_DIR="${PROJECT_SOURCE_DIR}" SERIN_BINARY_DIR="${CMAKE_BINARY_DIR}")
  if(NOT _t_LABELS)
    set(_t_LABELS unit)
  endif()
  # NO_PRETTY_VALUES: parameterized cases are named by index, not by a byte dump of the value.
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 NO_PRETTY_VALUES
    PROPERTIES LABELS "${_t_LABELS}")
endfunction()

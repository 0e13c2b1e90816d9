# Every third-party dependency, found from Debian packages. Nothing is downloaded or vendored:
# the machines reach Debian's archive only. scripts/install-deps.sh installs the same list.

# serin_require(<find_package args...> APT <package>): find_package, or stop with the apt name.
macro(serin_require name)
  cmake_parse_arguments(_req "" "APT" "" ${ARGN})
  find_package(${name} ${_req_UNPARSED_ARGUMENTS} QUIET)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR
      "Serin needs ${name}: install the Debian package '${_req_APT}' "
      "(scripts/install-deps.sh installs every dependency).")
  endif()
endmacro()

set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)

serin_require(yaml-cpp 0.7 CONFIG APT libyaml-cpp-dev)
serin_require(nlohmann_json 3.11 APT nlohmann-json3-dev)
serin_require(Boost 1.74 APT libboost-dev)
serin_require(OpenSSL APT libssl-dev)
serin_require(CURL APT libcurl4-openssl-dev)
serin_require(spdlog APT libspdlog-dev)
serin_require(prometheus-cpp CONFIG APT prometheus-cpp-dev)
serin_require(SQLite3 APT libsqlite3-dev)
if(SERIN_BUILD_TESTS)
  serin_require(GTest APT "libgtest-dev libgmock-dev")
endif()
if(SERIN_BUILD_BENCHMARKS)
  serin_require(benchmark APT libbenchmark-dev)
endif()

# yaml-cpp 0.7 exports a plain `yaml-cpp` target; 0.8 adds the namespaced one. Accept both.
if(TARGET yaml-cpp::yaml-cpp AND NOT TARGET yaml-cpp)
  add_library(yaml-cpp ALIAS yaml-cpp::yaml-cpp)
endif()

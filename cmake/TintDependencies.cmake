# Finds tint's dependencies, all from Debian packages: OpenMP, OpenBLAS (CBLAS),
# nlohmann-json, and for apps/tests CLI11, stb and Catch2. A folder .deps/ (git-ignored,
# staged by scripts/stage_deps.sh) is searched first for the header-only ones, for machines
# without Debian's packages.
list(PREPEND CMAKE_PREFIX_PATH ${PROJECT_SOURCE_DIR}/.deps)

find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(nlohmann_json 3 REQUIRED)

# OpenBLAS: prefer its CMake config, fall back to the plain library + cblas.h.
find_package(OpenBLAS CONFIG QUIET)
if(OpenBLAS_FOUND)
  set(TINT_BLAS_LIBRARIES ${OpenBLAS_LIBRARIES})
  set(TINT_BLAS_INCLUDE_DIRS ${OpenBLAS_INCLUDE_DIRS})
else()
  find_library(TINT_OPENBLAS_LIB NAMES openblas REQUIRED)
  find_path(TINT_CBLAS_INCLUDE NAMES cblas.h PATH_SUFFIXES openblas REQUIRED)
  set(TINT_BLAS_LIBRARIES ${TINT_OPENBLAS_LIB})
  set(TINT_BLAS_INCLUDE_DIRS ${TINT_CBLAS_INCLUDE})
endif()
message(STATUS "tint: BLAS ${TINT_BLAS_LIBRARIES}")

# stb (libstb-dev: /usr/include/stb/stb_image.h), header-only, for the apps' image I/O.
find_path(TINT_STB_INCLUDE_DIR stb_image.h PATH_SUFFIXES stb
          HINTS ${PROJECT_SOURCE_DIR}/.deps/include)
if(NOT TINT_STB_INCLUDE_DIR)
  message(FATAL_ERROR "tint: stb_image.h not found; install Debian's libstb-dev")
endif()

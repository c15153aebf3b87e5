# Finds tint's dependencies, all from Debian packages: OpenMP, OpenBLAS (CBLAS; else a
# built-in reference GEMM, see TINT_BLAS), nlohmann-json, and for apps/tests CLI11, stb and
# Catch2. A folder .deps/ (git-ignored, staged by scripts/stage_deps.sh) is searched first,
# for machines without Debian's packages: it holds the header-only ones with their CMake
# configs (optionally OpenBLAS too).
list(PREPEND CMAKE_PREFIX_PATH ${PROJECT_SOURCE_DIR}/.deps)

find_package(OpenMP REQUIRED COMPONENTS CXX)
find_package(nlohmann_json 3 REQUIRED)

# BLAS for the cpu GEMMs (TINT_BLAS): OpenBLAS through its CMake config or the plain library
# + cblas.h; with AUTO, when neither is found (a machine without Debian's libopenblas-dev,
# such as the GPU machine), tint's own reference GEMM (cmake/refblas: cblas_sgemm/dgemm and
# openblas_{get,set}_num_threads, correct but several times slower than OpenBLAS).
set(TINT_BLAS AUTO CACHE STRING "cpu BLAS: AUTO (OpenBLAS if found, else the reference GEMM), OpenBLAS or Reference")
set_property(CACHE TINT_BLAS PROPERTY STRINGS AUTO OpenBLAS Reference)
if(NOT TINT_BLAS MATCHES "^(AUTO|OpenBLAS|Reference)$")
  message(FATAL_ERROR "TINT_BLAS=${TINT_BLAS}: expected AUTO, OpenBLAS or Reference")
endif()
set(TINT_BLAS_LIBRARIES "")
set(TINT_BLAS_INCLUDE_DIRS "")
if(NOT TINT_BLAS STREQUAL "Reference")
  find_package(OpenBLAS CONFIG QUIET)
  if(OpenBLAS_FOUND)
    set(TINT_BLAS_LIBRARIES ${OpenBLAS_LIBRARIES})
    set(TINT_BLAS_INCLUDE_DIRS ${OpenBLAS_INCLUDE_DIRS})
  else()
    # libopenblas.so.0: the lone file scripts/stage_deps.sh --with-openblas copies to .deps/lib.
    find_library(TINT_OPENBLAS_LIB NAMES openblas libopenblas.so.0)
    find_path(TINT_CBLAS_INCLUDE NAMES cblas.h PATH_SUFFIXES openblas)
    if(TINT_OPENBLAS_LIB AND TINT_CBLAS_INCLUDE)
      set(TINT_BLAS_LIBRARIES ${TINT_OPENBLAS_LIB})
      set(TINT_BLAS_INCLUDE_DIRS ${TINT_CBLAS_INCLUDE})
    elseif(TINT_BLAS STREQUAL "OpenBLAS")
      message(FATAL_ERROR "TINT_BLAS=OpenBLAS but OpenBLAS was not found (library: "
                          "${TINT_OPENBLAS_LIB}, cblas.h: ${TINT_CBLAS_INCLUDE}); install "
                          "Debian's libopenblas-dev or configure with -DTINT_BLAS=AUTO")
    endif()
  endif()
endif()
if(NOT TINT_BLAS_LIBRARIES)
  include(GNUInstallDirs)  # CMAKE_INSTALL_LIBDIR (CMakeLists.txt includes it too; harmless)
  add_library(tint_refblas STATIC ${PROJECT_SOURCE_DIR}/cmake/refblas/refblas.cpp)
  target_include_directories(tint_refblas PUBLIC
                             $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/cmake/refblas>)
  target_link_libraries(tint_refblas PRIVATE OpenMP::OpenMP_CXX)
  set_target_properties(tint_refblas PROPERTIES POSITION_INDEPENDENT_CODE ON)
  # tint (a static library) links it privately, so an installed tint needs it too.
  install(TARGETS tint_refblas EXPORT tintTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  set(TINT_BLAS_LIBRARIES tint_refblas)
  set(TINT_BLAS_INCLUDE_DIRS ${PROJECT_SOURCE_DIR}/cmake/refblas)
  if(TINT_BLAS STREQUAL "Reference")
    message(STATUS "tint: BLAS: tint's reference GEMM (cmake/refblas), as TINT_BLAS=Reference asks")
  else()
    message(STATUS "tint: BLAS: no OpenBLAS found, using tint's reference GEMM (cmake/refblas)")
  endif()
else()
  message(STATUS "tint: BLAS ${TINT_BLAS_LIBRARIES}")
endif()

# stb (libstb-dev: /usr/include/stb/stb_image.h), header-only, for the apps' image I/O.
find_path(TINT_STB_INCLUDE_DIR stb_image.h PATH_SUFFIXES stb
          HINTS ${PROJECT_SOURCE_DIR}/.deps/include)
if(NOT TINT_STB_INCLUDE_DIR)
  message(FATAL_ERROR "tint: stb_image.h not found; install Debian's libstb-dev")
endif()

# Finds cuDNN: in the CUDA toolkit (include/, lib/, lib64/), under CUDNN_ROOT, or inside a
# Python environment's nvidia/cudnn package (as pip's PyTorch wheels ship it), asking the
# python3 on PATH where that package is. Defines the imported target tint::cudnn.
set(_tint_cudnn_hints ${CUDAToolkit_LIBRARY_ROOT} ${CUDAToolkit_TARGET_DIR} $ENV{CUDNN_ROOT}
    ${CUDNN_ROOT})
find_program(_tint_python NAMES python3)
if(_tint_python)
  execute_process(
    COMMAND ${_tint_python} -c "import nvidia.cudnn as m; print(list(m.__path__)[0])"
    OUTPUT_VARIABLE _tint_py_cudnn OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(_tint_py_cudnn)
    list(APPEND _tint_cudnn_hints ${_tint_py_cudnn})
  endif()
endif()
find_path(TINT_CUDNN_INCLUDE_DIR cudnn.h HINTS ${_tint_cudnn_hints} ${CUDAToolkit_INCLUDE_DIRS}
          PATH_SUFFIXES include)
find_library(TINT_CUDNN_LIBRARY NAMES cudnn libcudnn.so.9 HINTS ${_tint_cudnn_hints}
             ${CUDAToolkit_LIBRARY_DIR} PATH_SUFFIXES lib lib64)
if(NOT TINT_CUDNN_INCLUDE_DIR OR NOT TINT_CUDNN_LIBRARY)
  message(FATAL_ERROR "tint: the CUDA backend needs cuDNN (cudnn.h and libcudnn), searched the "
                      "CUDA toolkit, CUDNN_ROOT and python3's nvidia/cudnn package; set "
                      "CUDNN_ROOT or configure with -DTINT_CUDA=OFF")
endif()
add_library(tint::cudnn UNKNOWN IMPORTED)
set_target_properties(tint::cudnn PROPERTIES IMPORTED_LOCATION ${TINT_CUDNN_LIBRARY}
                      INTERFACE_INCLUDE_DIRECTORIES ${TINT_CUDNN_INCLUDE_DIR})
message(STATUS "tint: cuDNN ${TINT_CUDNN_LIBRARY}")

# Decides whether the CUDA backend is built (TINT_CUDA=AUTO|ON|OFF) and picks the CUDA
# architectures: the present GPU's ("native") when nvidia-smi sees one, else 90 (H100/H200);
# a CMAKE_CUDA_ARCHITECTURES given on the command line wins.
set(TINT_WITH_CUDA OFF)
if(NOT TINT_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(TINT_WITH_CUDA ON)
  elseif(TINT_CUDA STREQUAL "ON")
    message(FATAL_ERROR "TINT_CUDA=ON but no CUDA compiler (nvcc) was found; install the CUDA "
                        "toolkit or configure with -DTINT_CUDA=OFF")
  endif()
endif()

if(TINT_WITH_CUDA)
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES OR CMAKE_CUDA_ARCHITECTURES STREQUAL "")
    execute_process(COMMAND nvidia-smi -L RESULT_VARIABLE _tint_smi OUTPUT_QUIET ERROR_QUIET)
    if(_tint_smi EQUAL 0)
      set(CMAKE_CUDA_ARCHITECTURES native)
    else()
      set(CMAKE_CUDA_ARCHITECTURES 90)
    endif()
  endif()
  enable_language(CUDA)
  # CMake 3.25 does not know nvcc's C++20 dialect flag (nvcc 12+ has it); teach it.
  if(NOT DEFINED CMAKE_CUDA20_STANDARD_COMPILE_OPTION OR
     CMAKE_CUDA20_STANDARD_COMPILE_OPTION STREQUAL "")
    set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
  endif()
  set(CMAKE_CUDA_STANDARD 20)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  set(CMAKE_CUDA_FLAGS "${CMAKE_CUDA_FLAGS} --expt-relaxed-constexpr")
  find_package(CUDAToolkit REQUIRED)
  message(STATUS "tint: CUDA backend ON (architectures: ${CMAKE_CUDA_ARCHITECTURES})")
else()
  message(STATUS "tint: CUDA backend OFF (cpu only)")
endif()

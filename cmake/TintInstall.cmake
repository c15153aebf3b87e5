# Install rules: the library, its headers under include/tint/ (keeping the framework/,
# kernels/ and models/ paths),
# and a CMake package so that another project can find_package(tint) and link tint::tint.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS tint EXPORT tintTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY framework kernels models DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tint
        FILES_MATCHING PATTERN "*.h")
install(EXPORT tintTargets NAMESPACE tint:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tint)
configure_package_config_file(cmake/tintConfig.cmake.in
  ${PROJECT_BINARY_DIR}/tintConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tint)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tintConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tintConfig.cmake ${PROJECT_BINARY_DIR}/tintConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tint)

# Where the library finds data/ (the 313 ab bin centres) at run time, and its installation.
# kernels/ab_bins.cpp (find_data_file) looks in $TINT_DATA_DIR, then TINT_SOURCE_DATA_DIR
# (this source tree), then <exe>/../share/tint, then TINT_INSTALL_DATA_DIR (the configured
# prefix). Without this file the source tree is still found (through __FILE__), so it is
# needed for installed use only. Include after add_library(tint).
include(GNUInstallDirs)
target_compile_definitions(tint PRIVATE
  TINT_SOURCE_DATA_DIR="${PROJECT_SOURCE_DIR}/data"
  TINT_INSTALL_DATA_DIR="${CMAKE_INSTALL_FULL_DATADIR}/tint")
install(FILES ${PROJECT_SOURCE_DIR}/data/ab_bins_313.txt DESTINATION ${CMAKE_INSTALL_DATADIR}/tint)

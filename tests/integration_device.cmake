# CTest registration for the GPU-machine tooling (scripts/device_check.sh and
# scripts/device_summary.py): tests/test_device_tools.py runs the summary on fabricated logs
# and the check script in --dry-run mode. Needs no GPU and no built binary. Included from
# tests/CMakeLists.txt.
add_test(NAME device_tools
  COMMAND /bin/sh -c [=[
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }
exec python3 "$1"
]=] device_tools ${CMAKE_CURRENT_SOURCE_DIR}/test_device_tools.py)
set_tests_properties(device_tools PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120 LABELS "python")

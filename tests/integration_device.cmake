# CTest registrations for the GPU-machine tooling (scripts/device_check.sh and
# scripts/device_summary.py): tests/test_device_tools.py runs the summary on fabricated logs
# and the check script in --dry-run mode (needs no GPU and no built binary); and bench_train
# itself, tiny, on the cpu. Included from tests/CMakeLists.txt.
add_test(NAME device_tools
  COMMAND /bin/sh -c [=[
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }
exec python3 "$1"
]=] device_tools ${CMAKE_CURRENT_SOURCE_DIR}/test_device_tools.py)
set_tests_properties(device_tools PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120 LABELS "python")

# bench_train end to end on the cpu, tiny (tests/test_bench_train.py): both sides run and
# profile, the JSON holds their rows. Exits 77 (skipped) itself when /usr/bin/python3 has no
# torch.
add_test(NAME bench_train_smoke
  COMMAND /bin/sh -c [=[
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }
exec python3 "$1" "$2"
]=] bench_train_smoke ${CMAKE_CURRENT_SOURCE_DIR}/test_bench_train.py $<TARGET_FILE:bench_train>)
set_tests_properties(bench_train_smoke PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300
                     LABELS "python")

# CTest registration for scripts/lib/results_report.py (docs/results.md and its figures from an
# experiment folder): tests/test_results_report.py fabricates small experiment folders and
# checks the report on them. Needs no built binary; exits 77 (skipped) itself when matplotlib
# or numpy is missing. Included from tests/CMakeLists.txt.

set(TINT_PYTHON_FOR_REPORTS /usr/bin/python3 CACHE FILEPATH
    "A Python with numpy and matplotlib (Debian's python3-matplotlib), for the results report")

add_test(NAME results_report
  COMMAND /bin/sh -c [=[
[ -x "$1" ] || { echo "$1 not found: skipped"; exit 77; }
exec "$1" "$2"
]=] results_report ${TINT_PYTHON_FOR_REPORTS}
          ${CMAKE_CURRENT_SOURCE_DIR}/test_results_report.py)
set_tests_properties(results_report PROPERTIES
  SKIP_RETURN_CODE 77 TIMEOUT 300 LABELS "python")

# The whole experiment pipeline (scripts/run_experiments.sh --scale smoke): the bundled
# samples as Fruits and Photos, one seed, one epoch of every colorizer and of the classifier,
# every evaluation, and the report, into the build folder (never docs/).
add_test(NAME run_experiments_smoke
  COMMAND /bin/sh -c [=[
out="$2/experiments_smoke"
rm -rf "$out" "$out.previous"
bash "$1/scripts/run_experiments.sh" --scale smoke --device cpu --bin "$2/apps" --out "$out" &&
test -s "$out/docs/results.md" && test -s "$out/docs/figures/fig5_cumulative_fruits.png" &&
grep -q "Class+rebal" "$out/docs/results.md"
]=] run_experiments_smoke ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR})
set_tests_properties(run_experiments_smoke PROPERTIES TIMEOUT 900 LABELS "python")

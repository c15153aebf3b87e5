# CTest registrations beyond the Catch2 cases: the checks that need Debian's python3-torch
# (safetensors written by tint must load in Python; the committed fixtures must match what
# make_fixtures.py generates today, within stated tolerances). Without that Python they
# report skipped (code 77), never passed. Included optionally at the end of
# tests/CMakeLists.txt.

# test_reference.cpp reads each fixture's options from JSON metadata.
target_link_libraries(tint_tests PRIVATE nlohmann_json::nlohmann_json)

set(TINT_PYTHON_WITH_TORCH /usr/bin/python3 CACHE FILEPATH
    "A Python that can import torch (Debian's python3-torch), for the interop and fixture checks")
set(TINT_FIXTURES_SOURCE_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fixtures)

# One test, two steps: tint_tests "[interop-write]" writes the file (TINT_INTEROP_OUT), then
# check_tint_safetensors.py validates it with the strict reader and with torch. sh glues
# them so that a missing torch turns into the skip code before anything runs.
add_test(NAME safetensors_tint_to_python
  COMMAND /bin/sh -c [=[
python="$1"; tests="$2"; checker="$3"; out="$4"
if ! [ -x "$python" ] || ! "$python" -c "import torch" >/dev/null 2>&1; then
  echo "$python cannot import torch: skipped"; exit 77
fi
rm -f "$out"
TINT_INTEROP_OUT="$out" "$tests" "[interop-write]" || exit 1
exec "$python" "$checker" "$out"
]=] safetensors_tint_to_python ${TINT_PYTHON_WITH_TORCH} $<TARGET_FILE:tint_tests>
          ${TINT_FIXTURES_SOURCE_DIR}/check_tint_safetensors.py
          ${CMAKE_CURRENT_BINARY_DIR}/interop_written_by_tint.safetensors)
set_tests_properties(safetensors_tint_to_python PROPERTIES
  SKIP_RETURN_CODE 77 ENVIRONMENT "OMP_NUM_THREADS=2" LABELS "reference;python")

# The committed fixtures must match a fresh generation (tests/fixtures/fixture_check.py):
# names, dtypes, shapes, metadata and integer data exactly; float data element by element
# within |a - b| <= rtol * (|b| + max|b|) (max|b| over the committed tensor; rtol 1e-12 for
# F64, 1e-5 for F32), NaN in the same places and infinities equal. Never byte for byte: the
# float rounding depends on the BLAS kernels the CPU gets. Each file prints its worst
# difference. make_fixtures.py --check exits 77 itself when torch is missing or is another
# version than the one that made the files (another torch may draw its random inputs or
# compute differently; that is not a tint failure).
add_test(NAME reference_fixtures_up_to_date
  COMMAND /bin/sh -c [=[
[ -x "$1" ] || { echo "$1 not found: skipped"; exit 77; }
exec "$1" "$2" --check --out "$3"
]=] reference_fixtures_up_to_date ${TINT_PYTHON_WITH_TORCH}
          ${TINT_FIXTURES_SOURCE_DIR}/make_fixtures.py ${TINT_FIXTURES_SOURCE_DIR})
set_tests_properties(reference_fixtures_up_to_date PROPERTIES
  SKIP_RETURN_CODE 77 LABELS "reference;python")

# The model fixtures (eccv16's state-dict layout from a PyTorch twin of the public port, and
# both networks' outputs) must also match a fresh generation: the layouts (text) exactly,
# models_forward.safetensors under the same rules and tolerances.
add_test(NAME model_fixtures_up_to_date
  COMMAND /bin/sh -c [=[
[ -x "$1" ] || { echo "$1 not found: skipped"; exit 77; }
exec "$1" "$2" --check
]=] model_fixtures_up_to_date ${TINT_PYTHON_WITH_TORCH}
          ${TINT_FIXTURES_SOURCE_DIR}/make_model_fixtures.py)
set_tests_properties(model_fixtures_up_to_date PROPERTIES
  SKIP_RETURN_CODE 77 LABELS "reference;python")

# The comparison those checks rely on, itself tested (tests/test_fixture_check.py): copies of
# committed fixtures with float data moved within and beyond the tolerances, a renamed
# tensor, changed shape, dtype, integer value and metadata, NaN and infinities. Run by the
# Python that runs the fixture checks; needs numpy only and exits 77 (skipped) without it.
add_test(NAME fixture_check_rules
  COMMAND /bin/sh -c [=[
[ -x "$1" ] || { echo "$1 not found: skipped"; exit 77; }
exec "$1" "$2"
]=] fixture_check_rules ${TINT_PYTHON_WITH_TORCH}
          ${CMAKE_CURRENT_SOURCE_DIR}/test_fixture_check.py)
set_tests_properties(fixture_check_rules PROPERTIES
  SKIP_RETURN_CODE 77 LABELS "reference;python")

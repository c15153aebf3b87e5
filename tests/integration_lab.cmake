# CTest registration for the Lab fixtures: the committed tests/fixtures/lab_*.safetensors must
# match what make_lab_fixtures.py generates today with scikit-image, under the rules of
# tests/fixtures/fixture_check.py (structure, metadata and uint8 data exactly; float data
# within |a - b| <= rtol * (|b| + max|b|), rtol 1e-12 for F64 and 1e-5 for F32; never byte
# for byte). The script exits 77 (skipped) itself when skimage is missing, or when skimage or
# numpy is another version than the one that made the files (another skimage may compute
# differently, another numpy may draw other random inputs; that is not a tint failure).
# Included from tests/CMakeLists.txt.

set(TINT_PYTHON_WITH_SKIMAGE /usr/bin/python3 CACHE FILEPATH
    "A Python that can import skimage (Debian's python3-skimage), for the Lab fixture check")

add_test(NAME lab_fixtures_up_to_date
  COMMAND /bin/sh -c [=[
[ -x "$1" ] || { echo "$1 not found: skipped"; exit 77; }
exec "$1" "$2" --check --out "$3"
]=] lab_fixtures_up_to_date ${TINT_PYTHON_WITH_SKIMAGE}
          ${CMAKE_CURRENT_SOURCE_DIR}/fixtures/make_lab_fixtures.py
          ${CMAKE_CURRENT_SOURCE_DIR}/fixtures)
set_tests_properties(lab_fixtures_up_to_date PROPERTIES
  SKIP_RETURN_CODE 77 LABELS "reference;python")

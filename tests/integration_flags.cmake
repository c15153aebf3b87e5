# CTest registrations for the apps' messages. tests/test_app_flags.py: every numeric flag of
# every app refuses hostile values (1e300, -1, nan, inf, 1e-400, overflow, fractions for whole
# numbers, empty) quickly, with one stderr line naming the flag, and the apps' --help lists no
# numeric flag the test does not know (when the apps are built). tests/test_message_prefixes.py:
# no library error repeats the app's name. Included from tests/CMakeLists.txt.
if(TARGET train_colorizer)
  add_test(NAME app_flags_refuse_bad_numbers
    COMMAND /bin/sh -c [=[
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }
exec python3 "$1" "$2"
]=] app_flags_refuse_bad_numbers ${CMAKE_CURRENT_SOURCE_DIR}/test_app_flags.py
            $<TARGET_FILE_DIR:train_colorizer>)
  set_tests_properties(app_flags_refuse_bad_numbers PROPERTIES SKIP_RETURN_CODE 77
                       TIMEOUT 600 LABELS "python")
endif()

# apps/support's error messages never begin with an app's name (tests/test_message_prefixes.py):
# apps::run_app adds it, and "colorize: colorize: ..." was the result.
add_test(NAME library_errors_have_no_app_prefix
  COMMAND /bin/sh -c [=[
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }
exec python3 "$1" "$2"
]=] library_errors_have_no_app_prefix ${CMAKE_CURRENT_SOURCE_DIR}/test_message_prefixes.py
          ${PROJECT_SOURCE_DIR})
set_tests_properties(library_errors_have_no_app_prefix PROPERTIES SKIP_RETURN_CODE 77
                     TIMEOUT 60 LABELS "python")

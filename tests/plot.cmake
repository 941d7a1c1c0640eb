# The .dat reader, mprof peak/plot/export: unit tests, end-to-end tests of the real binaries,
# and (with GCLAB_FUZZ) the libFuzzer targets for the reader.
set(gclab_dat_fixtures ${PROJECT_SOURCE_DIR}/tests/fixtures/dat)

gclab_unit_test(test_profile SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_profile.c LIBS mppaint)
target_compile_definitions(test_profile PRIVATE FIXTURES="${gclab_dat_fixtures}")
target_link_options(test_profile PRIVATE
  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=posix_memalign)
gclab_unit_test(test_plot SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_plot.c LIBS mppaint)
target_compile_definitions(test_plot PRIVATE FIXTURES="${gclab_dat_fixtures}")
# The plot model links mpview alone: it must build and run without cairo.
gclab_unit_test(test_plot_model SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_plot_model.c LIBS mpview)
target_compile_definitions(test_plot_model PRIVATE FIXTURES="${gclab_dat_fixtures}")
target_link_options(test_plot_model PRIVATE
  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=posix_memalign,--wrap=free)
gclab_unit_test(test_export SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_export.c LIBS mppaint)
target_compile_definitions(test_export PRIVATE FIXTURES="${gclab_dat_fixtures}")

foreach(t peak plot export)
  add_test(NAME cli_plot_${t} COMMAND sh ${PROJECT_SOURCE_DIR}/tests/cli/plot/${t}.sh)
  set_tests_properties(cli_plot_${t} PROPERTIES LABELS cli TIMEOUT 120
    ENVIRONMENT "MPROF=$<TARGET_FILE:mprof>;FIXTURES=${gclab_dat_fixtures}")
endforeach()

# The browser side (web/): the trace export read by a real consumer (speedscope, in Debian's
# Chromium, headless), the HTML page and the report opened in Chromium. The npm packages are
# the ones the build installed (web/web.cmake).
find_program(GCLAB_NODE node REQUIRED)
add_test(NAME cli_export_trace COMMAND sh ${PROJECT_SOURCE_DIR}/tests/web/trace.sh)
set_tests_properties(cli_export_trace PROPERTIES LABELS cli TIMEOUT 180
  ENVIRONMENT "MPROF=$<TARGET_FILE:mprof>;FIXTURES=${gclab_dat_fixtures};WEB_MODULES=${GCLAB_WEB_MODULES}")
add_test(NAME cli_plot_html COMMAND sh ${PROJECT_SOURCE_DIR}/tests/web/page.sh)
set_tests_properties(cli_plot_html PROPERTIES LABELS cli TIMEOUT 180
  ENVIRONMENT "MPROF=$<TARGET_FILE:mprof>;FIXTURES=${gclab_dat_fixtures};WEB_MODULES=${GCLAB_WEB_MODULES}")
add_test(NAME report_html_chromium COMMAND sh ${PROJECT_SOURCE_DIR}/tests/web/report.sh)
set_tests_properties(report_html_chromium PROPERTIES LABELS examples TIMEOUT 300
  ENVIRONMENT "SOURCE_DIR=${PROJECT_SOURCE_DIR};BUILD_DIR=${PROJECT_BINARY_DIR};WEB_MODULES=${GCLAB_WEB_MODULES}")

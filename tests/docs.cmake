# The manuals (issue 14): mprof.1 documents exactly the options each subcommand's --help prints
# (tests/cli/man_options.sh), and every page formats without a groff warning.
add_test(NAME man_options COMMAND sh ${PROJECT_SOURCE_DIR}/tests/cli/man_options.sh)
set_tests_properties(man_options PROPERTIES LABELS "cli;docs" TIMEOUT 60 ${gclab_skip}
  ENVIRONMENT "MPROF=$<TARGET_FILE:mprof>;MAN=${PROJECT_SOURCE_DIR}/docs/mprof.1")
add_test(NAME man_pages_format COMMAND sh -c
  "command -v groff >/dev/null || { echo 'no groff (scripts/install-deps installs groff-base)'; exit 77; }
   for f in \"$@\"; do w=$(groff -t -man -ww -z -Tutf8 \"$f\" 2>&1); [ -z \"$w\" ] || { echo \"$f: $w\"; exit 1; }; done"
  sh ${PROJECT_SOURCE_DIR}/docs/mprof.1 ${PROJECT_SOURCE_DIR}/docs/mprof-dat.5
     ${PROJECT_SOURCE_DIR}/docs/rcgc.3 ${PROJECT_SOURCE_DIR}/docs/mprof_trace.3)
set_tests_properties(man_pages_format PROPERTIES LABELS docs TIMEOUT 60 ${gclab_skip})

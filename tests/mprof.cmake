# mprof run and friends: unit tests of the core, end-to-end tests of the real binary.
add_executable(memfix ${PROJECT_SOURCE_DIR}/tests/fixtures/memfix.c)
target_link_libraries(memfix PRIVATE mprof_trace pthread)
add_executable(bracketfix ${PROJECT_SOURCE_DIR}/tests/fixtures/bracketfix.c)
target_link_libraries(bracketfix PRIVATE mprof_trace)

gclab_unit_test(test_proc SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_proc.c LIBS mprecord)
gclab_unit_test(test_dat SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_dat.c LIBS mpformat)
gclab_unit_test(test_peak SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_peak.c LIBS mprecord)
if(GCLAB_HAVE_BPF)
  target_compile_definitions(test_peak PRIVATE GCLAB_HAVE_BPF)
endif()
gclab_unit_test(test_peak_dat SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_peak_dat.c LIBS mpview)
gclab_unit_test(test_spawn SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_spawn.c LIBS mprecord)
gclab_unit_test(test_session SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_session.c LIBS mprecord)
gclab_unit_test(test_profiles SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_profiles.c LIBS mpview)
gclab_unit_test(test_channel SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_channel.c LIBS mprecord)
gclab_unit_test(test_ring SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_ring.c LIBS mprecord)
gclab_unit_test(test_trace SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_trace.c LIBS mprecord mprof_trace)
gclab_unit_test(test_live SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_live.c LIBS mplive)

foreach(t run_memory run_trace run_process run_flood run_peaks run_bad_input cli_options help_options interop)
  add_test(NAME cli_${t} COMMAND sh ${PROJECT_SOURCE_DIR}/tests/cli/${t}.sh)
  set_tests_properties(cli_${t} PROPERTIES LABELS cli TIMEOUT 300 ${gclab_skip}
    ENVIRONMENT "MPROF=$<TARGET_FILE:mprof>;MEMFIX=$<TARGET_FILE:memfix>")
endforeach()

# The fast path of the trace channel: the ring and the kernel's figures (tests/cli/run_brackets.sh),
# Python's brackets through the C accelerator when the build made it (GCLAB_PY_ACCEL, set in
# tests/python.cmake), and again on the pure-Python path (cli_run_brackets_pure).
foreach(t run_brackets run_brackets_pure)
  add_test(NAME cli_${t} COMMAND sh ${PROJECT_SOURCE_DIR}/tests/cli/run_brackets.sh)
  set_tests_properties(cli_${t} PROPERTIES LABELS cli TIMEOUT 300 ${gclab_skip}
    ENVIRONMENT "MPROF=$<TARGET_FILE:mprof>;BRACKETFIX=$<TARGET_FILE:bracketfix>;BRACKETFIX_PY=${PROJECT_SOURCE_DIR}/tests/fixtures/bracketfix.py;${gclab_py_accel}")
endforeach()
set_property(TEST cli_run_brackets_pure APPEND PROPERTY ENVIRONMENT MPROF_TRACE_PURE=1)

# Outputs and messages (needs the .dat fixtures too).
add_test(NAME cli_output_trust COMMAND sh ${PROJECT_SOURCE_DIR}/tests/cli/output_trust.sh)
set_tests_properties(cli_output_trust PROPERTIES LABELS cli TIMEOUT 120 ${gclab_skip}
  ENVIRONMENT "MPROF=$<TARGET_FILE:mprof>;FIXTURES=${PROJECT_SOURCE_DIR}/tests/fixtures/dat")

# The flood test keeps every core busy on purpose: alone, so that it neither disturbs the
# timing of the tests beside it nor is disturbed by them.
set_tests_properties(cli_run_flood PROPERTIES RUN_SERIAL TRUE)

# The live view and the status line, under tmux (tests/cli/live.sh).
add_test(NAME cli_live COMMAND sh ${PROJECT_SOURCE_DIR}/tests/cli/live.sh)
set_tests_properties(cli_live PROPERTIES LABELS cli TIMEOUT 600 ${gclab_skip}
  ENVIRONMENT "MPROF=$<TARGET_FILE:mprof>;MEMFIX=$<TARGET_FILE:memfix>")

# Under AddressSanitizer a fixture keeps the shadow of what it unmaps: the memory-shape tests
# allow for it (and say so).
if(GCLAB_SANITIZE)
  set_property(TEST cli_run_memory APPEND PROPERTY ENVIRONMENT GCLAB_SANITIZED=1)
  set_property(TEST cli_run_brackets cli_run_brackets_pure APPEND PROPERTY ENVIRONMENT
               GCLAB_SANITIZED=1)
endif()

# The tutorial's experiments (issue 6, docs/experiments.md): each one under mprof with small
# arrays, its curve's shape asserted from the .dat; the demo driver and the report generator
# on a small run. Label "examples". Python experiments need /usr/bin/python3 with numpy (else
# they skip, exit 77).
find_program(GCLAB_EX_PYTHON3 NAMES python3)
# examples/ is added after tests/: its targets are known by name only (generator expressions).
if(NOT GCLAB_EX_PYTHON3 OR NOT EXISTS ${PROJECT_SOURCE_DIR}/src/rcgc/CMakeLists.txt
   OR NOT EXISTS ${PROJECT_SOURCE_DIR}/examples/CMakeLists.txt)
  return()
endif()
set(_ex_dir ${PROJECT_SOURCE_DIR}/tests/cli/examples)
foreach(e exp1_baseline exp2_gc_disabled exp3_disabled_cycle exp4_cycle exp5_manual exp6_auto)
  string(SUBSTRING ${e} 3 1 _n)
  add_test(NAME examples_c_${e}
           COMMAND ${GCLAB_EX_PYTHON3} ${_ex_dir}/check_experiment.py --mprof $<TARGET_FILE:mprof>
                   ${_n} $<TARGET_FILE:${e}>)
  add_test(NAME examples_python_${e}
           COMMAND ${GCLAB_EX_PYTHON3} ${_ex_dir}/check_experiment.py --mprof $<TARGET_FILE:mprof>
                   --python /usr/bin/python3 ${_n} ${PROJECT_SOURCE_DIR}/examples/python/${e}.py)
  set_tests_properties(examples_c_${e} examples_python_${e} PROPERTIES
                       LABELS examples TIMEOUT 120 ${gclab_skip})
  if(GCLAB_SANITIZE)
    set_tests_properties(examples_c_${e} PROPERTIES ENVIRONMENT GCLAB_SANITIZED=1)
  endif()
endforeach()

# scripts/demo --small into a temporary folder, then scripts/report.py's output checked.
add_test(NAME examples_demo_report
         COMMAND ${GCLAB_EX_PYTHON3} ${_ex_dir}/test_report.py --mprof $<TARGET_FILE:mprof>
                 ${CMAKE_BINARY_DIR})
set_tests_properties(examples_demo_report PROPERTIES LABELS examples TIMEOUT 300)

# scripts/report.py on hand-written input: profiles through `mprof export --format json`
# (names decoded, mprof's message when unreadable), readers, shape checks, rendering.
add_test(NAME examples_report_unit
         COMMAND ${GCLAB_EX_PYTHON3} ${_ex_dir}/test_report_unit.py --mprof $<TARGET_FILE:mprof>)
set_tests_properties(examples_report_unit PROPERTIES LABELS examples TIMEOUT 60)

# Python programs under mprof (issue 5, docs/python.md): python.c's command line (unit), the
# bootstrap driven directly over a socketpair with each interpreter, the real binary end to
# end, and the interop check against memory_profiler's mprof. Every python test has the label
# "python"; a missing interpreter or memory_profiler makes its test skip (exit 77).
gclab_unit_test(test_python SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_python.c
                LIBS mprecord)
target_compile_definitions(test_python PRIVATE GCLAB_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                           GCLAB_TEST_MPROF="$<TARGET_FILE:mprof>")
add_dependencies(test_python mprof)
set_property(TEST test_python APPEND PROPERTY LABELS python)

find_program(GCLAB_PYTHON3 python3)
# The bootstrap tests run mprof's staged copy of python/ (the C accelerator beside
# mprof_trace.py), as mprof does; the *_pure twins force the pure-Python path
# (MPROF_TRACE_PURE=1) so that both stay tested. ${gclab_py_accel}: tests/CMakeLists.txt.
if(GCLAB_PYTHON3)
  set(_py ${PROJECT_SOURCE_DIR}/tests/cli/python)
  set(_pydir ${GCLAB_STAGE_DATADIR}/python)
  # python3 from PATH (here pyenv's) and Debian's /usr/bin/python3, with the accelerator when
  # it loads there; Debian's again on the pure-Python path.
  foreach(which path system system_pure)
    if(which STREQUAL "path")
      set(_interp python3)
      set(_python_opt)
    else()
      set(_interp /usr/bin/python3)
      set(_python_opt --python /usr/bin/python3)
    endif()
    set(_env ${gclab_py_accel})
    if(which STREQUAL "system_pure")
      list(APPEND _env MPROF_TRACE_PURE=1)
    endif()
    foreach(group Brackets Collections Fidelity Robustness)
      add_test(NAME python_bootstrap_${group}_${which}
               COMMAND ${GCLAB_PYTHON3} ${_py}/test_bootstrap.py --python ${_interp}
                       --pydir ${_pydir} ${group})
      set_tests_properties(python_bootstrap_${group}_${which} PROPERTIES
                           LABELS python TIMEOUT 120 ${gclab_skip} ENVIRONMENT "${_env}")
    endforeach()
    add_test(NAME python_mprof_${which}
             COMMAND ${GCLAB_PYTHON3} ${_py}/test_mprof.py --mprof $<TARGET_FILE:mprof>
                     ${_python_opt} EndToEnd)
    set_tests_properties(python_mprof_${which} PROPERTIES
                         LABELS python TIMEOUT 120 ${gclab_skip} ENVIRONMENT "${_env}")
  endforeach()
  # The accelerator itself, on a ring of its own (only when the build made it).
  if(GCLAB_PY_ACCEL)
    add_test(NAME python_accel COMMAND ${GCLAB_PY_ACCEL_PYTHON} ${_py}/test_accel.py)
    set_tests_properties(python_accel PROPERTIES LABELS python TIMEOUT 60 ${gclab_skip}
                         ENVIRONMENT "${gclab_py_accel}")
  endif()
  add_test(NAME python_interop_memory_profiler
           COMMAND ${GCLAB_PYTHON3} ${_py}/test_mprof.py --mprof $<TARGET_FILE:mprof> Interop)
  set_tests_properties(python_interop_memory_profiler PROPERTIES
                       LABELS python TIMEOUT 120 ${gclab_skip})
endif()

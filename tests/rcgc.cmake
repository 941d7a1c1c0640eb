# rcgc's unit tests: one program per module (tests/unit/test_rcgc_<module>.c). Each also runs
# against the stress form of the library (a collection at every container allocation) as
# test_rcgc_<module>_stress, unless the whole build is already the stress build. Under the
# sanitizers (make asan, hence CI) each runs once more with RCGC_MALLOC=malloc, every runtime
# made without an allocator of its own then allocating each object with malloc, so that ASan
# sees each one (test_rcgc_<module>_malloc, the stress form: _stress_malloc).
if(TARGET rcgc)
  foreach(m mem object atom tuple list dict array weakref gc gccheck random oom sound)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_rcgc_${m}.c)
      gclab_unit_test(test_rcgc_${m} SOURCES unit/test_rcgc_${m}.c LIBS rcgc)
      set(variants test_rcgc_${m})
      if(TARGET rcgc_stress)
        gclab_unit_test(test_rcgc_${m}_stress SOURCES unit/test_rcgc_${m}.c LIBS rcgc_stress)
        list(APPEND variants test_rcgc_${m}_stress)
      endif()
      if(GCLAB_SANITIZE)
        foreach(v ${variants})
          add_test(NAME ${v}_malloc COMMAND ${v})
          set_tests_properties(${v}_malloc PROPERTIES LABELS unit TIMEOUT 300
                               ENVIRONMENT RCGC_MALLOC=malloc)
        endforeach()
      endif()
    endif()
  endforeach()
endif()

# rcgc's unit tests: one program per module (tests/unit/test_rcgc_<module>.c). Each also runs
# against the stress form of the library (a collection at every container allocation) as
# test_rcgc_<module>_stress, unless the whole build is already the stress build.
if(TARGET rcgc)
  foreach(m mem object atom tuple list dict array weakref gc gccheck random oom)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_rcgc_${m}.c)
      gclab_unit_test(test_rcgc_${m} SOURCES unit/test_rcgc_${m}.c LIBS rcgc)
      if(TARGET rcgc_stress)
        gclab_unit_test(test_rcgc_${m}_stress SOURCES unit/test_rcgc_${m}.c LIBS rcgc_stress)
      endif()
    endif()
  endforeach()
endif()

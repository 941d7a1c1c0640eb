# rcgc's unit tests: one program per module (tests/unit/test_rcgc_<module>.c).
if(TARGET rcgc)
  foreach(m mem object atom tuple list dict array weakref gc random oom)
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_rcgc_${m}.c)
      gclab_unit_test(test_rcgc_${m} SOURCES unit/test_rcgc_${m}.c LIBS rcgc)
    endif()
  endforeach()
endif()

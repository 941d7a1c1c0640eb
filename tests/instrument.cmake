# Brackets for unmodified C programs (docs/c-programs.md): libmprof_instrument's fixtures, its
# unit test, and the end-to-end test through `mprof run --functions`.
set(fx ${PROJECT_SOURCE_DIR}/tests/fixtures/instrument)

# Built as a user builds: -finstrument-functions, linked with the library.
add_executable(instr_calls ${fx}/calls.c)
target_compile_options(instr_calls PRIVATE -finstrument-functions -O2)
target_link_libraries(instr_calls PRIVATE mprof_instrument pthread)
# The same program, not instrumented: uprobes bracket it. Stripped: nothing can.
add_executable(plain_calls ${fx}/calls.c)
target_compile_options(plain_calls PRIVATE -O2)
target_link_libraries(plain_calls PRIVATE pthread)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/stripped_calls
  COMMAND ${CMAKE_STRIP} -s -o ${CMAKE_CURRENT_BINARY_DIR}/stripped_calls $<TARGET_FILE:plain_calls>
  DEPENDS plain_calls VERBATIM)
add_custom_command(OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/stripped_instr_calls
  COMMAND ${CMAKE_STRIP} -s -o ${CMAKE_CURRENT_BINARY_DIR}/stripped_instr_calls $<TARGET_FILE:instr_calls>
  DEPENDS instr_calls VERBATIM)
add_custom_target(stripped_fixtures ALL DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/stripped_calls
  ${CMAKE_CURRENT_BINARY_DIR}/stripped_instr_calls)

# C++: names demangled. Needs a C++ compiler (g++ comes with build-essential).
include(CheckLanguage)
check_language(CXX)
if(CMAKE_CXX_COMPILER)
  enable_language(CXX)
  add_executable(instr_shapes ${fx}/shapes.cpp)
  # The project's C warning options mean nothing to C++: never an error here.
  target_compile_options(instr_shapes PRIVATE -finstrument-functions -O2 -Wno-error)
  target_link_libraries(instr_shapes PRIVATE mprof_instrument)
  set(instr_shapes $<TARGET_FILE:instr_shapes>)
else()
  set(instr_shapes "")
endif()

gclab_unit_test(test_instrument_config SOURCES ${PROJECT_SOURCE_DIR}/tests/unit/test_instrument_config.c
  LIBS mpiconfig)

add_test(NAME cli_instrument COMMAND sh ${PROJECT_SOURCE_DIR}/tests/cli/instrument.sh)
set_tests_properties(cli_instrument PROPERTIES LABELS cli TIMEOUT 300 ${gclab_skip}
  ENVIRONMENT "MPROF=$<TARGET_FILE:mprof>;INSTR_CALLS=$<TARGET_FILE:instr_calls>;PLAIN_CALLS=$<TARGET_FILE:plain_calls>;STRIPPED_CALLS=${CMAKE_CURRENT_BINARY_DIR}/stripped_calls;STRIPPED_INSTR_CALLS=${CMAKE_CURRENT_BINARY_DIR}/stripped_instr_calls;INSTR_SHAPES=${instr_shapes}")

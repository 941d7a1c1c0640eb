# libFuzzer targets, one per parser (make fuzz: clang, ASan, GCLAB_FUZZ=ON). Each target's
# source is tests/fuzz/fuzz_NAME.c and its corpus tests/fuzz/corpus/fuzz_NAME/; scripts/fuzz
# runs each over its corpus.
if(GCLAB_FUZZ)
  # gclab_fuzz_target(NAME LIBS...)
  function(gclab_fuzz_target name)
    add_executable(${name} ${PROJECT_SOURCE_DIR}/tests/fuzz/${name}.c)
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests/unit)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${name} PRIVATE ${ARGN})
  endfunction()
  gclab_fuzz_target(fuzz_channel mprecord)
  gclab_fuzz_target(fuzz_profile mpview)
  gclab_fuzz_target(fuzz_plot mppaint)
  gclab_fuzz_target(fuzz_live mplive)
endif()

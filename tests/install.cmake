# The installed gclab as a user meets it (issue 14, tests/install/install.sh): the installed
# files and no build path in them, a moved prefix and DESTDIR (mprof run + plot, C and Python),
# a program built with pkg-config only and one with find_package(gclab) only, each header alone
# in C99 and C++, the shared libraries' exports against the headers, the Python package, the
# version in every file that names it, and a build without tests needing no cmocka.
# Consumers are built with the project's compiler and, in a sanitized build, its sanitizers
# (the installed libraries then need their runtime).
set(gclab_install_cflags)
if(GCLAB_SANITIZE)
  set(gclab_install_cflags "-fsanitize=address,undefined")
endif()
foreach(mode files relocate destdir pkgconfig findpackage headers exports python version notests)
  add_test(NAME install_${mode} COMMAND sh ${PROJECT_SOURCE_DIR}/tests/install/install.sh ${mode})
  set_tests_properties(install_${mode} PROPERTIES LABELS install TIMEOUT 300 ${gclab_skip}
    ENVIRONMENT "BUILD=${PROJECT_BINARY_DIR};SRC=${PROJECT_SOURCE_DIR};LIBDIR=${CMAKE_INSTALL_LIBDIR};MANDIR=${CMAKE_INSTALL_MANDIR};VERSION=${PROJECT_VERSION};CC=${CMAKE_C_COMPILER};SANITIZE_FLAGS=${gclab_install_cflags};${gclab_py_accel}")
endforeach()

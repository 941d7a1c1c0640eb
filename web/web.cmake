# web.cmake - the browser side, included by src/mprof/CMakeLists.txt after mpview is defined.
#
# `npm ci` installs web/package-lock.json's packages into the build tree (build/web/
# node_modules; nothing fetched is ever committed): uPlot, the charting library that
# `mprof plot -o x.html` embeds, and, for the tests, playwright-core (drives Debian's Chromium)
# and speedscope (a real reader of the trace export). Then embed.cmake turns uPlot's script and
# style and our page's own (web/page.js, web/page.css) into C strings that mpview links
# (web_assets.c), so the page mprof writes needs no network and no file beside it.
find_program(GCLAB_NPM npm)
if(NOT GCLAB_NPM)
  message(FATAL_ERROR "npm not found: scripts/install-deps installs nodejs and npm")
endif()
set(GCLAB_WEB_DIR ${PROJECT_BINARY_DIR}/web)
set(GCLAB_WEB_MODULES ${GCLAB_WEB_DIR}/node_modules CACHE INTERNAL "npm packages of web/")
set(web_src ${PROJECT_SOURCE_DIR}/web)
file(MAKE_DIRECTORY ${GCLAB_WEB_DIR})
add_custom_command(OUTPUT ${GCLAB_WEB_DIR}/node_modules/.package-lock.json
  COMMAND ${CMAKE_COMMAND} -E copy ${web_src}/package.json ${web_src}/package-lock.json ${GCLAB_WEB_DIR}
  COMMAND ${GCLAB_NPM} ci --no-audit --no-fund --loglevel=error
  WORKING_DIRECTORY ${GCLAB_WEB_DIR}
  DEPENDS ${web_src}/package.json ${web_src}/package-lock.json
  COMMENT "npm ci: uPlot, and the browser tests' playwright-core and speedscope" VERBATIM)
set(web_inputs ${GCLAB_WEB_DIR}/node_modules/.package-lock.json ${web_src}/page.js
    ${web_src}/page.css ${web_src}/embed.cmake)
add_custom_command(OUTPUT ${GCLAB_WEB_DIR}/web_assets.c
  COMMAND ${CMAKE_COMMAND} -DMODULES=${GCLAB_WEB_DIR}/node_modules -DSRC=${web_src}
          -DOUT=${GCLAB_WEB_DIR}/web_assets.c -P ${web_src}/embed.cmake
  DEPENDS ${web_inputs}
  COMMENT "Embedding uPlot and the page's script in web_assets.c" VERBATIM)
target_sources(mpview PRIVATE ${GCLAB_WEB_DIR}/web_assets.c)

# personae_add_test(NAME SOURCES ... LIBRARIES ... [LABELS ...] [WHOLE])
# One GoogleTest executable; each TEST becomes a CTest test, discovered when CTest runs. WHOLE
# registers the executable as a single CTest test instead: for suites whose fixture is costly to
# set up per process (the contract suite starts one PostgreSQL cluster and shares it).
function(personae_add_test name)
  if(NOT PERSONAE_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "WHOLE" "" "SOURCES;LIBRARIES;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBRARIES} GTest::gmock GTest::gtest_main)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  if(ARG_WHOLE)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  else()
    gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
                         PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()

# bench_binlog_read (issue 2): binlog fetch-only vs fetch + decode into Change records. Built with the
# tests, never part of the default run; configure with -DWEFT_BENCH=ON to also register it as a ctest
# test labelled bench (ctest -L bench), or run build/tests/bench/bench_binlog_read directly.
add_executable(bench_binlog_read ${CMAKE_CURRENT_LIST_DIR}/binlog_read.cpp)
target_link_libraries(bench_binlog_read PRIVATE weft_test_harness weft_doctest_main)
option(WEFT_BENCH "Register the benchmarks as ctest tests (label bench)" OFF)
if(WEFT_BENCH)
  add_test(NAME bench_binlog_read COMMAND bench_binlog_read)
  set_tests_properties(bench_binlog_read PROPERTIES LABELS bench TIMEOUT 3600)
endif()

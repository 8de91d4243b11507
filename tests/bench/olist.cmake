# The Olist-shaped benchmark tools (tests/bench/README.md). Never part of the default test run.
#   olist_gen    the deterministic data and change-script generator
#   olist_probe  the catch-up watcher and the latency driver/watcher (libmariadb + SQLite)
#   olist_read   fetch-only vs fetch+decode through weft's own binlog reader
add_executable(olist_gen ${CMAKE_CURRENT_LIST_DIR}/olist_gen.cpp ${CMAKE_CURRENT_LIST_DIR}/olist_model.cpp
               ${CMAKE_CURRENT_LIST_DIR}/olist_tsv.cpp ${CMAKE_CURRENT_LIST_DIR}/olist_changes.cpp)
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/olist_probe.cpp)
  add_executable(olist_probe ${CMAKE_CURRENT_LIST_DIR}/olist_probe.cpp)
  target_link_libraries(olist_probe PRIVATE PkgConfig::MARIADB PkgConfig::SQLITE3 Threads::Threads)
endif()
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/olist_read.cpp)
  # weft's own binlog path (BinlogStream + table map + row decoder) without the pipeline
  add_executable(olist_read ${CMAKE_CURRENT_LIST_DIR}/olist_read.cpp)
  target_link_libraries(olist_read PRIVATE weft_source_mysql)
endif()

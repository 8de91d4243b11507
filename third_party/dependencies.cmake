# Every dependency comes from a Debian package (see .ci/run for the list); nothing is downloaded.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(ZLIB REQUIRED)                                      # zlib1g-dev: binlog CRC32, MariaDB compressed row events
pkg_check_modules(MARIADB REQUIRED IMPORTED_TARGET libmariadb)   # libmariadb-dev (Connector/C 3.3)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)       # libzstd-dev: MySQL 8 TRANSACTION_PAYLOAD events
pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)               # libpq-dev: the PostgreSQL source
pkg_check_modules(UV REQUIRED IMPORTED_TARGET libuv)             # libuv1-dev
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)      # libsqlite3-dev
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka)     # librdkafka-dev: the Kafka sink (and its mock cluster for tests)
find_package(mongoc-1.0 REQUIRED)                                # libmongoc-dev
find_package(nlohmann_json 3.10 REQUIRED)                        # nlohmann-json3-dev
find_package(tomlplusplus 3 REQUIRED)                            # libtomlplusplus-dev
find_package(doctest REQUIRED)                                   # doctest-dev
# libhttp-parser-dev ships no pkg-config file: find it by hand.
find_path(HTTP_PARSER_INCLUDE_DIR http_parser.h REQUIRED)
find_library(HTTP_PARSER_LIBRARY http_parser REQUIRED)
add_library(PkgConfig::HTTP_PARSER INTERFACE IMPORTED)
target_include_directories(PkgConfig::HTTP_PARSER INTERFACE ${HTTP_PARSER_INCLUDE_DIR})
target_link_libraries(PkgConfig::HTTP_PARSER INTERFACE ${HTTP_PARSER_LIBRARY})

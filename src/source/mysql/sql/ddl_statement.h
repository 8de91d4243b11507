#pragma once
// What a schema statement read from the binlog does to the tables of one database, as far as the
// views care: which tables may have changed their columns, keys or rows (MysqlSource::EffectOf).
// The pipeline re-reads a source when a statement touches a table one of its views uses
// (pipeline/schema_change.cpp).
//
// Recognised (MySQL and MariaDB syntax; comments skipped, executable comments /*!...*/ read):
//   ALTER [ONLINE|OFFLINE] [IGNORE] TABLE [IF EXISTS] t ...   t, and the new name of RENAME [TO|AS]
//   CREATE [OR REPLACE] TABLE [IF NOT EXISTS] t ...            t (not the table of LIKE/SELECT)
//   DROP TABLE[S] [IF EXISTS] a, b ...                         a, b
//   RENAME TABLE[S] [IF EXISTS] a TO b, c TO d                 a, b, c, d
//   TRUNCATE [TABLE] t                                         t
//   CREATE [OR REPLACE] UNIQUE INDEX i ON t / DROP INDEX i ON t   t
//   DROP DATABASE|SCHEMA db                                    every table of db
// Left out on purpose, since they change no row, column or key: an ALTER TABLE whose every clause
// adds a non-unique index (ADD INDEX|KEY|FULLTEXT|SPATIAL, with ALGORITHM=/LOCK= options), CREATE
// [FULLTEXT|SPATIAL] INDEX, TEMPORARY tables (their rows never reach a ROW binlog), and every other
// statement (views, triggers, grants, OPTIMIZE/ANALYZE ...).
//
// Pure; any thread.

#include <string>
#include <string_view>
#include <vector>

#include "source/source.h"

namespace weft::source::mysql {

// Tables of the database asked about, in statement order, each once. Unqualified names belong to
// the statement's default database; whole_database: DROP DATABASE of the database asked about.
using DdlEffect = SchemaEffect;

// `default_db`: the database the statement ran in (the binlog QUERY event's); `database`: the one
// whose tables are wanted (the source's).
DdlEffect ParseDdl(std::string_view statement, std::string_view default_db, std::string_view database);

}  // namespace weft::source::mysql

#pragma once
// Rows as the replicas store them: a kObject {column: value} in the table's column order, holding
// only the columns TableDef::Stores() plus the primary key. Helpers to build one from a change's
// row image and to derive what the replica indexes and documents need from it. Pure; any thread.

#include <optional>
#include <string>
#include <vector>

#include "change/change.h"
#include "view/view_def.h"

namespace weft::view {

// Primary-key column names of `schema`: all columns when the table has none (change::KeyObject's rule).
std::vector<std::string> PkColumnsOf(const change::TableSchema& schema);

// The stored row for `image`. Columns the image lacks (a partial row image) come from `base`, a
// stored row of the same row, when given.
change::Value StoredRow(const TableDef& table, const change::TableSchema& schema, const change::RowImage& image,
                        const std::vector<std::string>& pk_columns, const change::Value* base);

// Join-key text of each key column of `table` (nullopt for NULL or an absent column).
std::vector<std::optional<std::string>> KeyTexts(const TableDef& table, const change::Value& row);

// The row's primary key in key_order's encoding (an absent key column counts as NULL).
std::string PkOf(const change::Value& row, const std::vector<std::string>& pk_columns);

// The document _id: the key value, or an object {column: value} when the key is composite.
change::Value IdOf(const change::Value& row, const std::vector<std::string>& pk_columns);

}  // namespace weft::view

#pragma once
// Naming helpers for `weft init`'s proposal: English singulars of table names, the prefix most
// tables share ("ecom_"), and identifiers made safe for document paths, view and source names.
// Pure functions.

#include <string>
#include <vector>

namespace weft::cli::init {

// "customers" -> "customer", "categories" -> "category", "addresses" -> "address", "status" stays.
std::string Singular(const std::string& word);
// The longest prefix ending in '_' that every one of `names` shares (at least two names), else "".
std::string CommonPrefix(const std::vector<std::string>& names);
// `name` without `prefix` (unless that would leave nothing).
std::string StripPrefix(const std::string& name, const std::string& prefix);
// Letters, digits, '_' and '-' kept; anything else becomes '_'; never empty ("x" for "").
std::string SafeName(const std::string& name);
// Lower-case letters, digits and '_' only (what a PostgreSQL slot name allows).
std::string SlotSafeName(const std::string& name);

}  // namespace weft::cli::init

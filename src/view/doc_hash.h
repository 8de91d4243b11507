#pragma once
// The 128-bit fingerprint of a document that decides "unchanged since the last write": two
// independent 64-bit hashes (FNV-1a and MurmurHash64A) of change::EncodeValue(doc), so kinds count
// (DECIMAL 1 and DOUBLE 1 differ) and a false "unchanged" needs a double collision. Pure.

#include <string_view>

#include "change/value.h"
#include "state/state_db.h"

namespace weft::view {

state::DocHash HashBytes(std::string_view bytes);
state::DocHash HashDocument(const change::Value& doc);

}  // namespace weft::view

#pragma once
// ParseJsonTree: reads a sink's canonical document text back into a change::Value tree so two
// documents can be compared field by field. Numbers keep their literal text (as kDecimal), so a
// 65-digit DECIMAL or a uint64 never passes through a double and "210.0" stays distinct from
// "210"; strings become kString, objects keep their field order (and duplicate names).
// Pure; any thread.

#include <string_view>

#include "change/value.h"
#include "core/status.h"

namespace weft::verify {

// Corruption with the byte offset when `text` is not one complete JSON value.
core::Result<change::Value> ParseJsonTree(std::string_view text);

}  // namespace weft::verify

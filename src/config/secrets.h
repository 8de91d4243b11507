#pragma once
// Passwords in the config: finding them (including inside a MongoDB URI), registering them so that
// core logging redacts them, and warning when a file holding one in clear is readable by others.

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/sections.h"

namespace weft::config {

// The password of a "mongodb://user:pass@host/..." URI's userinfo, still percent-encoded as written;
// "" when the URI has none.
std::string UriPassword(std::string_view uri);
std::string PercentDecode(std::string_view text);

// core::RegisterSecret for every source password and every sink URI password (encoded and decoded).
void RegisterConfigSecrets(const Config& config);

// When `literal` is non-empty and `path` is readable by group or others: the warning text naming the
// file, its mode, where the password is and the two fixes. "" otherwise (or when stat fails).
std::string FileModeWarning(const std::string& path, const std::vector<LiteralSecret>& literal);

}  // namespace weft::config

#pragma once
// The --source URL of `weft init`, parsed into a config::SourceConfig:
//   mysql://user[:password]@host[:port]/database     (also mariadb://; port 3306 by default)
//   postgresql://user[:password]@host[:port]/database[?schema=NAME]   (also postgres://; port 5432)
// User and password may be percent-encoded ("p%40ss" is "p@ss"). The result's name is "" (the
// caller picks one) and kind is "mysql" or "postgresql". Pure; no I/O.

#include <string>

#include "config/config.h"
#include "core/status.h"

namespace weft::cli::init {

// InvalidArgument names what is wrong and shows the expected shape; the message never contains the
// password (it echoes no part of the URL after the scheme).
core::Result<config::SourceConfig> ParseSourceUrl(const std::string& url);

}  // namespace weft::cli::init

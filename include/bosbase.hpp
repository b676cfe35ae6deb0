// bosbase-cpp: lets `#include <bosbase.hpp>` find the parts in the source tree.
// Installed and copied, <bosbase.hpp> is the generated single file instead.
#include "bosbase/bosbase.hpp"

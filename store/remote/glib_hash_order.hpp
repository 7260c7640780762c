#pragma once
// Upstream builds a{sv} dictionaries such as the summary's metadata through
// GVariantDict, whose entries come out in GLib's hash-table iteration order,
// not sorted. To write the same bytes as upstream we reproduce that order.
#include <string>
#include <vector>

namespace ot::store::remote {

// The order in which a GHashTable keyed by g_str_hash (GLib 2.74) iterates
// after the keys were inserted in the given order (duplicates ignored).
std::vector<std::string> glib_str_hash_table_order(const std::vector<std::string>& insertion_order);

}  // namespace ot::store::remote

#pragma once
// How `ostree log` and `ostree show` print objects (upstream's ot-dump.c):
// a "TYPE CHECKSUM" line, then either the raw variant or, for a commit, its
// parent, content checksum, date, version and indented subject and body.
#include "store/checksum.hpp"
#include "store/gvariant.hpp"
#include "store/objects.hpp"

#include <string>

namespace ot::cli {

enum class DumpStyle {
  pretty,     // commits get the readable block; other objects only their header line
  raw,        // the variant, byte-swapped from big endian as upstream does
  unswapped,  // the variant as stored, then the readable block
};

// Prints the object; variant is its decoded value. For commits whose
// timestamp GLib cannot represent, prints upstream's errx() message and
// throws Exit{1}.
void dump_object(store::ObjectType type, const store::Digest& checksum, const store::gv::Value& variant,
                 DumpStyle style);

// The variant printed with type annotations after g_variant_byteswap(), as
// upstream's ot_dump_variant() does on little-endian hosts.
void dump_variant(const store::gv::Value& variant);

}  // namespace ot::cli

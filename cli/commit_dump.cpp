#include "cli/commit_dump.hpp"

#include "base/datetime.hpp"
#include "cli/invocation.hpp"
#include "store/commit_builder.hpp"

#include <cstdio>

namespace ot::cli {
namespace {

// GDateTime covers years 1 to 9999; upstream gives up on anything else.
constexpr int64_t kMinGDateTime = -62135596800;
constexpr int64_t kMaxGDateTime = 253402300799;

// Every line of text indented by four spaces; a last line without a newline
// gets one, an empty remainder prints nothing.
void print_indented(std::string_view text) {
  for (;;) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      if (!text.empty()) print("    {}\n", text);
      return;
    }
    print("    {}", text.substr(0, nl + 1));
    text.remove_prefix(nl + 1);
  }
}

void dump_commit(const store::gv::Value& variant) {
  const store::Commit commit = store::decode_commit(store::gv::encode(variant));
  const auto timestamp = static_cast<int64_t>(commit.timestamp);
  if (timestamp < kMinGDateTime || timestamp > kMaxGDateTime) {
    std::fflush(stdout);
    printerr("ostree: Failed to read commit: Invalid timestamp: {}\n", commit.timestamp);
    throw Exit{1};
  }
  if (commit.parent) print("Parent:  {}\n", store::digest_hex(*commit.parent));
  print("ContentChecksum:  {}\n", store::digest_hex(store::commit_content_checksum(commit)));
  print("Date:  {}\n", format_timestamp_utc(timestamp));
  if (const store::gv::Value* version = store::lookup_metadata(commit.metadata, "version");
      version != nullptr && version->type == "s") {
    print("Version: {}\n", version->str());
  }
  if (!commit.subject.empty()) {
    print("\n");
    print_indented(commit.subject);
  } else {
    print("(no subject)\n");
  }
  if (!commit.body.empty()) {
    print("\n");
    print_indented(commit.body);
  }
  print("\n");
}

}  // namespace

void dump_variant(const store::gv::Value& variant) {
  print("{}\n", store::gv::print(store::gv::byteswap(variant), true));
}

void dump_object(store::ObjectType type, const store::Digest& checksum, const store::gv::Value& variant,
                 DumpStyle style) {
  print("{} {}\n", store::object_type_name(type), store::digest_hex(checksum));
  if (style == DumpStyle::unswapped) {
    print("{}\n", store::gv::print(variant, true));
  } else if (style == DumpStyle::raw) {
    dump_variant(variant);
    return;
  }
  if (type == store::ObjectType::commit) dump_commit(variant);
}

}  // namespace ot::cli

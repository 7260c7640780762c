#pragma once
// One raw-deflate stream compressed a chunk at a time with libdeflate.
//
// libdeflate compresses whole buffers only, at about twice zlib's speed for a
// better ratio; compressing a large file chunk by chunk keeps memory bounded.
// Each chunk is an independent libdeflate stream: for all but the last, the
// final-block bit is cleared and an empty stored block pads it to a byte
// boundary, so the pieces join into one stream any inflater reads (zlib's
// gzjoin technique). A stream of a single chunk is exactly libdeflate's
// whole-buffer output.
#include <memory>
#include <string>
#include <string_view>

struct libdeflate_compressor;

namespace ot::store {

class ChunkedDeflate {
public:
  explicit ChunkedDeflate(int level);
  ~ChunkedDeflate();
  ChunkedDeflate(const ChunkedDeflate&) = delete;
  ChunkedDeflate& operator=(const ChunkedDeflate&) = delete;

  // Compresses the next chunk of the stream; with last, ends the stream.
  // Returns prefix followed by the compressed bytes (so a header and its
  // payload go out in one write), valid until the next call. Chunks are
  // independent: one ChunkedDeflate may serve several streams in turn.
  std::string_view compress(std::string_view chunk, bool last, std::string_view prefix = {});

private:
  struct Scanner;
  void make_non_final(size_t start);
  libdeflate_compressor* compressor_;
  std::unique_ptr<Scanner> scanner_;
  std::string out_;
};

}  // namespace ot::store

/**
 * Which segments are cleaned into one (Kafka's groupSegmentsBySize): runs of
 * consecutive segments whose logs together fit `segment.bytes` and whose
 * indexes fit `segment.index.bytes`, and whose offsets fit one segment's
 * 32-bit relative offsets. Merging keeps a compacted log from ending up as
 * many tiny segments.
 */
import type { LogSegment } from "../segment.ts";

const MAX_RELATIVE_OFFSET = 0x7fffffff;

/** Groups `segments` (consecutive, oldest first); `firstUncleanableOffset` bounds the last one's offsets. */
export function groupSegmentsBySize(
  segments: readonly LogSegment[],
  limits: { maxSegmentBytes: number; maxIndexBytes: number; firstUncleanableOffset: number },
): LogSegment[][] {
  const groups: LogSegment[][] = [];
  let index = 0;
  while (index < segments.length) {
    const first = segments[index]!;
    const group = [first];
    let logBytes = first.size();
    let offsetIndexBytes = first.offsetIndex.sizeInBytes;
    let timeIndexBytes = first.timeIndex.sizeInBytes;
    index++;
    while (index < segments.length) {
      const next = segments[index]!;
      // The next segment's last offset is at most the one before the segment after it.
      const nextLastOffset = (segments[index + 1]?.baseOffset ?? limits.firstUncleanableOffset) - 1;
      const fits = logBytes + next.size() <= limits.maxSegmentBytes &&
        offsetIndexBytes + next.offsetIndex.sizeInBytes <= limits.maxIndexBytes &&
        timeIndexBytes + next.timeIndex.sizeInBytes <= limits.maxIndexBytes &&
        (next.size() === 0 || nextLastOffset - first.baseOffset <= MAX_RELATIVE_OFFSET);
      if (!fits) break;
      group.push(next);
      logBytes += next.size();
      offsetIndexBytes += next.offsetIndex.sizeInBytes;
      timeIndexBytes += next.timeIndex.sizeInBytes;
      index++;
    }
    groups.push(group);
  }
  return groups;
}

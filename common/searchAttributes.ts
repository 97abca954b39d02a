// Search attributes the workflows set; registered on the dev server at start-up. Never put secrets here.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const ClusterName = defineSearchAttributeKey('ClusterName', SearchAttributeType.KEYWORD);
export const ClusterOperation = defineSearchAttributeKey('ClusterOperation', SearchAttributeType.KEYWORD);
export const ClusterPhase = defineSearchAttributeKey('ClusterPhase', SearchAttributeType.KEYWORD);

/** `--search-attribute` values for `temporal server start-dev`. */
export const SEARCH_ATTRIBUTE_FLAGS = [
  'ClusterName=Keyword',
  'ClusterOperation=Keyword',
  'ClusterPhase=Keyword',
];

SELECT countIf(reference_answer != '') AS with_reference FROM feedback WHERE $__timeFilter(timestamp)

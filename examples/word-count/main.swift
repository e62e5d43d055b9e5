// The word-count executable: `word-count run …`, `word-count plan` (the job: WordCountJob/).
import WordCountJob

WordCount.main()

// The paper's 21 preference categories (Tables 3-4) and 21 topic categories (Table 5), with prevalences.

/** [name, % of datapoints] */
export const PREFERENCE_CATEGORIES: readonly (readonly [string, number])[] = [
  ['Clarity', 48.22], ['Thoroughness', 39.16], ['Accuracy', 28.53], ['Concise', 15.32], ['Relevance', 15.13],
  ['Engagement', 11.15], ['Innovation', 5.18], ['Practicality', 4.09], ['Informative', 4.08], ['Diversity', 3.16],
  ['Comprehension', 3.14], ['Organization', 2.92], ['Follows Instructions', 2.69], ['Customization', 1.71],
  ['Concentration', 1.68], ['Helpfulness', 1.65], ['Humor', 1.38], ['Context', 1.32], ['Environment', 1.3],
  ['Direction', 1.16], ['Efficiency', 1.13],
];

/** [name, % of datapoints, its two most distinctive categories] */
export const TOPIC_CATEGORIES: readonly (readonly [string, number, readonly [string, string]])[] = [
  ['Engineering and Technology', 27.43, ['Clarity', 'Accuracy']],
  ['Arts and Humanities', 17.48, ['Humor', 'Innovation']],
  ['Computer Science / AI', 9.92, ['Clarity', 'Direction']],
  ['Business', 6.42, ['Environment', 'Follows Instructions']],
  ['Social Sciences', 4.73, ['Customization', 'Diversity']],
  ['Language and Communication', 4.66, ['Environment', 'Innovation']],
  ['Health', 3.5, ['Direction', 'Helpfulness']],
  ['Writing and Literature', 3.46, ['Efficiency', 'Innovation']],
  ['Psychology', 3.1, ['Efficiency', 'Helpfulness']],
  ['Philosophy', 2.86, ['Customization', 'Engagement']],
  ['Career and Personal Development', 2.65, ['Helpfulness', 'Practicality']],
  ['Education', 2.61, ['Helpfulness', 'Organization']],
  ['History', 2.28, ['Informative', 'Accuracy']],
  ['Politics', 2.27, ['Concentration', 'Informative']],
  ['Natural Sciences', 1.7, ['Informative', 'Concentration']],
  ['Culture and Society', 1.15, ['Humor', 'Context']],
  ['Sports', 1.13, ['Informative', 'Accuracy']],
  ['Leisure and Hobbies', 0.86, ['Direction', 'Diversity']],
  ['General Knowledge', 0.69, ['Helpfulness', 'Customization']],
  ['Creativity / Innovation', 0.55, ['Innovation', 'Concentration']],
  ['Agriculture / Food', 0.55, ['Customization', 'Diversity']],
];
